"""The app's windows: main window, caption overlay, settings, file transcription, tray icon."""
