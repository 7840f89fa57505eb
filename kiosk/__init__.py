"""The self-service kiosk where visitors take tickets (built on the hall core)."""
