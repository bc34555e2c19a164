"""Columnar tables of the records (Parquet, DuckDB): their columns, derived from the record model, and compaction."""
