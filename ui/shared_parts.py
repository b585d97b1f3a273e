"""The map's costly parts, built once for every session that shows them.

Analysts stepping through the same weeks, or playing the same period, share the
work. A window's rows are not kept: slicing them again is cheap, and a long
window holds many. Read what comes out of these caches; never modify it.
"""

from __future__ import annotations

import functools

from layers.view import (Parts, arcs_layer, base_part, place_part, reach_part, reach_routes, ring_part,
                         window_arcs, zone_part)

SHARED = Parts(
    zones=functools.lru_cache(maxsize=64)(zone_part),  # a few states in a period, per theme and zoom
    bases=functools.lru_cache(maxsize=64)(base_part),  # per filter, day's holders and camera
    window_arcs=functools.lru_cache(maxsize=32)(window_arcs),
    arcs_layer=functools.lru_cache(maxsize=32)(arcs_layer),
    places=functools.lru_cache(maxsize=64)(place_part),  # per camera
    rings=functools.lru_cache(maxsize=32)(ring_part),  # per rings asked for, side's bases on the day, theme
    reach_routes=functools.lru_cache(maxsize=32)(reach_routes),  # the route search: seconds with detours
    reach=functools.lru_cache(maxsize=32)(reach_part),  # its dashes, per zoom
)
