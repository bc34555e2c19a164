"""A huge robots.txt still fits the shared DynamoDB cache, so it is fetched once a day, not once a batch."""

from datetime import UTC, datetime, timedelta

from newsingest.discovery.robots import MAX_ROBOTS_BYTES, Robots

NOW = datetime(2026, 11, 24, tzinfo=UTC)
UA = "newsingest/0.1 (+https://github.com/newsingest/newsingest)"


def test_a_500_kib_robots_txt_is_cached_and_read_back_with_its_rules(aws):
    body = ("User-agent: *\nDisallow: /private/\n" + "".join(f"Disallow: /p{i}/*/x$\n" for i in range(25_000))).encode()
    assert len(body) > MAX_ROBOTS_BYTES  # as sent: more than DynamoDB's 400 KB item limit
    robots = Robots.parse(body, 200, UA)

    aws.repos.hosts.put_robots("huge.example", robots.to_text(), NOW, timedelta(hours=24))
    cached = Robots.from_text(aws.repos.hosts.get_robots("huge.example", NOW + timedelta(hours=1)))

    assert cached == robots
    assert not cached.allowed("https://huge.example/private/a")
