"""Places and time: divisions, boundaries, coordinates and the working-day calendar."""
