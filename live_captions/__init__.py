"""The entry points of Live Captions: the ``live-captions`` command line (every sub-command),
logging set-up and the launch of the desktop app. This package stands above ``engine``,
``engine.api`` and ``desktop_app``; none of them imports it."""
