"""Delivery-channel security (DOMAIN.md §2.4–2.5). This part: the 三项制度 compliance-rate
indicator definitions."""
