"""Review and queues: statuses, decisions, remarks and work lists."""
