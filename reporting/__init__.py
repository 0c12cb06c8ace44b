"""Anonymous intake, receipts, counselling cases, the shared taxonomy and statistics with disclosure control."""
