"""Reinforcement-learning environments and agents (tabular), shared by the RL papers."""
