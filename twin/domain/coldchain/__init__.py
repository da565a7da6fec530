"""The cold chain: each online order's items from storage to handover, their
temperature and shelf life in closed form after the run, and the cold-chain KPIs.
"""
