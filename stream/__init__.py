"""Ingestion: parse, validate and classify mentions; sources; the streaming job."""
