"""The dashboard's Streamlit pieces; dashboard.py lays them out."""
