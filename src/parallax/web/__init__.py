"""Standalone HTML reports: an article's clean text with every extracted span highlighted and listed."""
