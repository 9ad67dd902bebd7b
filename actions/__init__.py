"""The action server: form validation, triage and tip submission (rasa-sdk)."""
