// The columns of a user that pages show about a person (the signed-in one, or one in the admin's
// list), selected the same way everywhere.
export const userSummaryFields = {
  id: true,
  username: true,
  name: true,
  email: true,
  phone: true,
  role: true,
  twoFactor: true,
  disabled: true,
  lastSignInAt: true,
} as const;
