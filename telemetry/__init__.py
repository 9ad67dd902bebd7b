"""What the three services share: log set-up (logs.py), the metrics endpoint's check (metrics.py),
and what counts as a phone number or an e-mail address (contact_details.py)."""
