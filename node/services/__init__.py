"""Business rules of the node, as small functions the views and the CLI call."""
