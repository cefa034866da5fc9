"""Business rules of the directory: aggregation, search, peers, statistics, renderings."""
