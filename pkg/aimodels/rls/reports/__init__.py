"""Renderings of a MatrixReport: console (rich), JUnit XML, self-contained HTML.

JSON is the report model itself (`MatrixReport.model_dump_json`).
"""
