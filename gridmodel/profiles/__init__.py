"""Documented, seeded generators of synthetic hourly profiles (no weather data is downloaded)."""
