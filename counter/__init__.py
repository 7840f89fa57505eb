"""What staff use at the window: calling, first inquiries, time-limited cases, ratings."""
