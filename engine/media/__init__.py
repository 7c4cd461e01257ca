"""Media helpers: speech to text (faster-whisper), document and image helpers."""
