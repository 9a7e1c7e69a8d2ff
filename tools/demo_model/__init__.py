"""The demo model's training, evaluation and export (README.md; bash tools/demo_model/run_all.sh)."""
