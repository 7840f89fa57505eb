"""Ticket layout, rendering, ESC/POS transports and the print spooler."""
