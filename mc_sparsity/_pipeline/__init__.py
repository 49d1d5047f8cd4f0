"""The pipeline: study files, resumable runs and their outputs; returns data, renders nothing."""
