"""Service quality (DOMAIN.md §2.3): the indicator definitions of the 服务质量 table."""
