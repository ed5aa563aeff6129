// A password-step worker whose program fails as it loads (a broken build or configuration).
throw new Error('broken at load');
