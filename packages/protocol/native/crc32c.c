// CRC32C (Castagnoli) with the SSE4.2 crc32 instruction, three streams at a
// time. One crc32q has a latency of three cycles but a throughput of one per
// cycle, so a single dependency chain uses a third of the unit: the buffer is
// cut into three equal blocks whose CRCs run interleaved, then joined by
// "shifting" the earlier ones past the later blocks — multiplying by
// x^(8 * block length) modulo the polynomial, done with four table lookups.
// Exposed to JavaScript as crc32c(bytes: Uint8Array, initial: number): number
// with the same meaning as @node-rs/crc32's; absent when the CPU lacks SSE4.2
// (the JavaScript side then falls back to @node-rs/crc32).

#include <node_api.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

// The Castagnoli polynomial, bit-reflected as the CRC register holds it: bit 31 is x^0.
#define POLY 0x82f63b78u
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

// a * b modulo POLY, both in the register's reflected bit order.
static uint32_t multiply_mod_poly(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t bit = 1u << 31; bit != 0; bit >>= 1) {
    if (a & bit) product ^= b;
    b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;
  }
  return product;
}

// x^(8 * bytes) modulo POLY: what the register is multiplied by when `bytes` zero bytes pass through it.
static uint32_t zeros_operator(size_t bytes) {
  uint32_t result = 1u << 31;  // x^0
  uint32_t power = 1u << 23;   // x^8
  for (; bytes != 0; bytes >>= 1) {
    if (bytes & 1) result = multiply_mod_poly(result, power);
    power = multiply_mod_poly(power, power);
  }
  return result;
}

// shift[k][j][b]: byte b at byte j of the register, multiplied by the zeros operator of block k.
static uint32_t shift_long[4][256];
static uint32_t shift_short[4][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void fill_shift_table(uint32_t table[4][256], size_t bytes) {
  uint32_t op = zeros_operator(bytes);
  for (int j = 0; j < 4; j++)
    for (uint32_t b = 0; b < 256; b++) table[j][b] = multiply_mod_poly(op, b << (8 * j));
}

static void fill_tables(void) {
  fill_shift_table(shift_long, LONG_BLOCK);
  fill_shift_table(shift_short, SHORT_BLOCK);
}

static inline uint32_t shift(uint32_t table[4][256], uint32_t crc) {
  return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^ table[3][crc >> 24];
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

// Three interleaved streams over `block`-byte thirds of the next 3 * block bytes, joined into one register.
#define THREE_STREAMS(block, table)                                     \
  while (length >= 3 * (block)) {                                        \
    uint64_t c1 = 0, c2 = 0;                                             \
    const uint8_t *end = p + (block);                                    \
    do {                                                                 \
      c0 = _mm_crc32_u64(c0, load64(p));                                 \
      c1 = _mm_crc32_u64(c1, load64(p + (block)));                       \
      c2 = _mm_crc32_u64(c2, load64(p + 2 * (block)));                   \
      p += 8;                                                            \
    } while (p < end);                                                   \
    c0 = shift(table, shift(table, (uint32_t)c0) ^ (uint32_t)c1) ^ (uint32_t)c2; \
    p += 2 * (block);                                                    \
    length -= 3 * (block);                                               \
  }

// The register after `length` bytes from `crc` (no inversion before or after).
__attribute__((target("sse4.2"))) static uint32_t crc32c_register(uint32_t crc, const uint8_t *p, size_t length) {
  while (length != 0 && ((uintptr_t)p & 7) != 0) {
    crc = _mm_crc32_u8(crc, *p++);
    length--;
  }
  uint64_t c0 = crc;
  THREE_STREAMS(LONG_BLOCK, shift_long)
  THREE_STREAMS(SHORT_BLOCK, shift_short)
  for (; length >= 8; length -= 8, p += 8) c0 = _mm_crc32_u64(c0, load64(p));
  crc = (uint32_t)c0;
  for (; length != 0; length--) crc = _mm_crc32_u8(crc, *p++);
  return crc;
}

static napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value crc32c_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok) return NULL;
  bool is_typed_array = false;
  if (argc < 1 || napi_is_typedarray(env, args[0], &is_typed_array) != napi_ok || !is_typed_array)
    return throw_type_error(env, "crc32c: bytes must be a Uint8Array");
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, args[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array)
    return throw_type_error(env, "crc32c: bytes must be a Uint8Array");
  uint32_t initial = 0;
  if (argc >= 2) {
    napi_valuetype kind;
    if (napi_typeof(env, args[1], &kind) != napi_ok) return NULL;
    if (kind != napi_undefined && (kind != napi_number || napi_get_value_uint32(env, args[1], &initial) != napi_ok))
      return throw_type_error(env, "crc32c: initial must be a number");
  }
  napi_value result;
  if (napi_create_uint32(env, ~crc32c_register(~initial, data, length), &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  if (!__builtin_cpu_supports("sse4.2")) return exports;
  pthread_once(&tables_once, fill_tables);
  napi_value fn;
  if (napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, crc32c_js, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "crc32c", fn) != napi_ok) return NULL;
  return exports;
}

#else

// Not x86-64: no crc32c export; the JavaScript side uses @node-rs/crc32.
NAPI_MODULE_INIT() { return exports; }

#endif
