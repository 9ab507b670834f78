"""Hostile: sleep for three days while the module is imported."""
import time

time.sleep(3 * 86400)
