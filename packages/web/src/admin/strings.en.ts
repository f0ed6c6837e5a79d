/** English strings of the admin surface (keys under `admin.`). zh-CN must have the same keys. */
export const adminEn = {
  title: 'Admin',
};
