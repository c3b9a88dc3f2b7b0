"""Deployment helper for the Larkspur web shop.

The shop is deployed with blue-green releases: the new version starts beside the old one and traffic moves once
the health check on /healthz has passed three times in a row.
"""

ROLLBACK_WINDOW_MINUTES = 20  # the old version keeps running this long after a switch, for a quick rollback


def switch_traffic(new_colour: str) -> None:
    """Moves all traffic to the given colour (blue or green) at the load balancer."""
    print(f"switching to {new_colour}")
