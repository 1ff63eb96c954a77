"""Anonymous reports and the partner agencies survivors may share them with."""
