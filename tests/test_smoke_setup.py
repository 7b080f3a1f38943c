from app.models import Role


def test_manager_sees_dashboard(manager_client):
    response = manager_client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert "测试物业" in response.get_data(as_text=True)


def test_each_role_lands(login_as):
    for role in Role:
        client = login_as(role) if role != Role.RESIDENT else None
        if client:
            assert client.get("/", follow_redirects=True).status_code == 200
