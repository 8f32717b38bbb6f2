"""A whole synthetic campaign through the real services: `dacu simulate`.

plan.py decides, from a seed, who the shoppers are and what each means to do,
timeline.py when they come; setup.py prepares the campaign, merchants, stock
and flash sale; storefront.py (visits, checkout, payment, refunds) and
flash.py (the 20:00 秒杀) carry each step out through the services; journal.py
sends the events; run.py walks the virtual clock and archives the campaign.
"""

from dacu.services.simulation.run import Outcome, Progress, simulate

__all__ = ["Outcome", "Progress", "simulate"]
