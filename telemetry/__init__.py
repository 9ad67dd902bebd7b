"""What the three services share for operations: log set-up (logs.py) and the metrics endpoint's check."""
