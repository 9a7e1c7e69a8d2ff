"""The demo punctuation model's training and tuning."""
