#include "encode.h"
#include "test.h"

TEST(hex)
{
    uint8_t in[3] = { 0x00, 0xab, 0xff }, out[3];
    char text[7];
    dx_hex_encode(in, 3, text);
    CHECK_STR(text, "00abff");
    CHECK_EQ(dx_hex_decode("00ABff", out, 3), 0);
    CHECK(memcmp(in, out, 3) == 0);
    CHECK(dx_hex_decode("00ab", out, 3) != 0);
    CHECK(dx_hex_decode("00abfg", out, 3) != 0);
}

TEST(base64_round_trip)
{
    uint8_t data[32], back[32];
    char text[DX_BASE64_LEN(32) + 1];
    for (int i = 0; i < 32; i++)
        data[i] = (uint8_t)(i * 37);
    for (size_t n = 0; n <= 32; n++) {
        dx_base64_encode(data, n, text);
        CHECK_EQ(strlen(text), DX_BASE64_LEN(n));
        CHECK_EQ(dx_base64_decode(text, back, n), 0);
        CHECK(memcmp(data, back, n) == 0);
    }
}

TEST(base64_strict)
{
    uint8_t out[2];
    CHECK_EQ(dx_base64_decode("AAA=", out, 2), 0);
    CHECK(dx_base64_decode("AAB=", out, 2) != 0);   /* non-canonical padding bits */
    CHECK(dx_base64_decode("AA=A", out, 2) != 0);   /* data after padding */
    CHECK(dx_base64_decode("AA A", out, 2) != 0);
    CHECK(dx_base64_decode("AAA", out, 2) != 0);
    CHECK(dx_base64_decode("AAAA", out, 2) != 0);   /* wrong length */
}

TEST(z85)
{
    uint8_t key[32], back[32];
    char text[41];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(255 - i);
    CHECK_EQ(dx_z85_encode32(key, text), 0);
    CHECK_EQ(strlen(text), 40u);
    CHECK_EQ(dx_z85_decode32(text, back), 0);
    CHECK(memcmp(key, back, 32) == 0);
    CHECK(dx_z85_decode32("short", back) != 0);
    text[5] = '"';
    CHECK(dx_z85_decode32(text, back) != 0);
}

int main(void)
{
    RUN(hex);
    RUN(base64_round_trip);
    RUN(base64_strict);
    RUN(z85);
    return TEST_EXIT();
}
