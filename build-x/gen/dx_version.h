#define DX_VERSION "0.2.0+g29d0f07-dirty"
