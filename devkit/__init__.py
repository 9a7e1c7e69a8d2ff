"""The development kit: what the tests, the benches (bench/) and the tools (tools/) share, in one
place all of them reach: tiny random models, speech, a tiny translation model, a follower of
partial captions.

Not part of the installed app. It is importable from the repository's root: run the benches and
tools as modules from there (``python -m bench.streaming_latency``), and pytest puts the root on
``sys.path`` (``pythonpath`` in pyproject.toml)."""
