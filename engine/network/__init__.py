"""Outbound network access for bots, behind the network guard (BASIC.md §9.1, §9.2).

* :mod:`engine.network.guard`: pure decisions (address kinds, the allow-list);
* :mod:`engine.network.transport`: the httpx transport that resolves, checks and connects;
* :mod:`engine.network.client`: :class:`~engine.network.client.GuardedHttpClient`, the
  ``HttpService`` a host gives to scripts;
* :mod:`engine.network.responses`: response bodies as BASIC values and download file names.
"""
