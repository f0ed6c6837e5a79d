/** English strings of the register surface (keys under `register.`). zh-CN must have the same keys. */
export const registerEn = {
  title: 'Register',
};
