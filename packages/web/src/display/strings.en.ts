/** English strings of the display surface (keys under `display.`). zh-CN must have the same keys. */
export const displayEn = {
  title: 'Display',
};
