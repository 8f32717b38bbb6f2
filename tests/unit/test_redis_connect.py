"""Which Redis a URL names: one server or a Redis Cluster."""

from dacu.adapters.redis_connect import is_cluster, node_url


def test_a_cluster_url_names_a_cluster_and_reads_as_a_node_url():
    assert is_cluster("redis+cluster://127.0.0.1:7101")
    assert is_cluster("rediss+cluster://user:pw@cache:7101")
    assert node_url("redis+cluster://127.0.0.1:7101") == "redis://127.0.0.1:7101"
    assert node_url("rediss+cluster://user:pw@cache:7101") == "rediss://user:pw@cache:7101"


def test_a_server_url_is_left_as_it_is():
    for url in ("redis://127.0.0.1:6379/0", "rediss://cache:6380/1", "unix:///run/redis.sock"):
        assert not is_cluster(url)
        assert node_url(url) == url
