"""The public status page: a standalone static site built from the records in git.

Everything here starts from ``public.public_page(kb, now)``, a projection that
holds only what a customer may read (public incidents' titles, impacts and
public updates; listed components; maintenance windows; links to public
postmortems). The engines (``current``, ``uptime``) and the writers (``api``,
``feeds``, ``badges``, ``site``) never see the knowledge base itself, so no
internal service, timeline note, person or internal incident can reach an
output file by a template's mistake.
"""
