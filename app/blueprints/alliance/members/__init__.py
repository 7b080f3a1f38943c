"""The alliance's members (商户与会员): merchants signing up, applying to an alliance and an
officer's decision, their shops, the charter and the four-mechanism pledge."""
