from datetime import date


def test_it_builds_a_chain_through_the_api(team, api):
    client = api(team.leader)
    pid = team.product.pk
    vision = client.post("/api/goals/", {"product": pid, "level": "vision", "title": "Healthier lives"})
    assert vision.status_code == 201, vision.json()
    user_goal = client.post(
        "/api/goals/",
        {"product": pid, "level": "user", "title": "More logging", "parents": [vision.json()["id"]]},
    )
    assert user_goal.status_code == 201, user_goal.json()
    pg = client.post(
        "/api/goals/",
        {"product": pid, "level": "product", "title": "Meal planner", "parents": [user_goal.json()["id"]]},
    )
    assert pg.status_code == 201
    kr = client.post(
        "/api/key-results/",
        {"goal": pg.json()["id"], "title": "Plans", "baseline": 0, "target": 100, "current": 50, "owner": team.member.pk},
    )
    assert kr.status_code == 201, kr.json()
    sprint = client.post(
        "/api/goals/",
        {"product": pid, "level": "sprint", "title": "Ship", "parents": [pg.json()["id"]],
         "starts_on": "2026-01-01", "ends_on": "2026-02-15"},
    )
    assert sprint.status_code == 400
    assert "ends_on" in sprint.json()
    chain = client.get(f"/api/products/{pid}/chain/").json()
    assert chain["vision"]["children"][0]["children"][0]["progress"] == 50
    assert chain["vision"]["progress"] == 50
    health = client.get(f"/api/products/{pid}/health/").json()
    assert health["score"] >= 0
