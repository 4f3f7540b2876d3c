"""The statistics: proportions, attrition, survival, reliability, barriers, models, Firth,
public statistics, text coding.
"""
