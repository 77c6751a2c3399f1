"""Streamlit pages: views over library calls, no business logic."""
