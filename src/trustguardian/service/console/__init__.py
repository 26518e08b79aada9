"""What the console shows: overview, work queues and one person's page."""
