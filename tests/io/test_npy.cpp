// The .npy codec: against numpy's exact bytes, every header numpy writes or
// reads, and a refusal naming the file for whatever else.
#include <cstring>
#include <limits>

#include "io/npy.hpp"
#include "support/check.hpp"
#include "support/temp_dir.hpp"

namespace attnlab {
namespace {

using test::bit_equal;
using test::contains;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

std::string hex_bytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

Array<float> sample(const Shape& shape, std::uint64_t seed) {
  return test::rand_float_array(shape, seed, -3, 3);
}

// A header as numpy writes it for a '<f4' C-order array.
std::string npy_header(int major, const std::string& dict) {
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  const std::size_t pad = 64 - (6 + 2 + len_bytes + dict.size() + 1) % 64;
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  const std::size_t hlen = dict.size() + 1 + pad;
  for (std::size_t i = 0; i < len_bytes; ++i) out += static_cast<char>((hlen >> (8 * i)) & 0xff);
  return out + dict + std::string(pad, ' ') + '\n';
}

std::string floats_le(const std::vector<float>& xs) {
  std::string out;
  for (float x : xs) {
    std::uint32_t u;
    std::memcpy(&u, &x, 4);
    for (int i = 0; i < 4; ++i) out += static_cast<char>((u >> (8 * i)) & 0xff);
  }
  return out;
}

}  // namespace

TEST_CASE("npy: a saved array loads back bit-exact") {
  TempDir tmp;
  const std::vector<Shape> shapes = {{}, {3}, {2, 5}, {2, 3, 4}, {0, 4}};
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    INFO("shape " << shape_str(shapes[k]));
    const Array<float> a = sample(shapes[k], 10 + k);
    const std::string path = tmp.file("a" + std::to_string(k) + ".npy");
    save_npy(path, a);
    const Array<float> b = load_npy(path);
    CHECK(b.dimension() == shapes[k].size());
    CHECK(bit_equal(a, b));
  }
  // Values that must survive as bits, not as numbers.
  Array<float> odd = Array<float>::from_shape({6});
  odd(0) = -0.0f;
  odd(1) = std::numeric_limits<float>::infinity();
  odd(2) = -std::numeric_limits<float>::infinity();
  odd(3) = std::numeric_limits<float>::quiet_NaN();
  odd(4) = std::numeric_limits<float>::denorm_min();
  odd(5) = std::numeric_limits<float>::max();
  save_npy(tmp.file("odd.npy"), odd);
  CHECK(bit_equal(load_npy(tmp.file("odd.npy")), odd));
}

TEST_CASE("npy: the header is padded so the data starts at a multiple of 64 bytes") {
  TempDir tmp;
  const std::vector<Shape> shapes = {
      {}, {1}, {7}, {2, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {123456789, 0, 98765}};
  for (const Shape& shape : shapes) {
    INFO("shape " << shape_str(shape));
    Array<float> a = Array<float>::from_shape(shape);
    a.fill(1.0f);
    save_npy(tmp.file("a.npy"), a);
    const std::string bytes = read_bytes(tmp.file("a.npy"));
    const std::size_t data_start = bytes.size() - 4 * a.size();
    CHECK(data_start % 64 == 0);
    CHECK(bytes[data_start - 1] == '\n');
    const std::size_t hlen = static_cast<unsigned char>(bytes[8]) |
                             (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    CHECK(10 + hlen == data_start);
    CHECK(load_npy(tmp.file("a.npy")).shape() == a.shape());
  }
}

TEST_CASE("npy: save_npy writes byte-for-byte what numpy 1.24 writes") {
  // The files numpy 1.24.2's numpy.save writes (dumped with Python): the dict,
  // numpy's spare spaces and padding, '\n', then the little-endian floats.
  TempDir tmp;
  const std::string magic = std::string("\x93NUMPY\x01\x00\x76\x00", 10);

  Array<float> a = Array<float>::from_shape({2, 3});
  for (std::size_t i = 0; i < 6; ++i) a.data()[i] = static_cast<float>(i);
  save_npy(tmp.file("a.npy"), a);
  CHECK(read_bytes(tmp.file("a.npy")) ==
        magic + "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
            std::string(58, ' ') + "\n" +
            hex_bytes("000000000000803f0000004000004040000080400000a040"));

  Array<float> s = Array<float>::from_shape({});
  s() = 1.5f;
  save_npy(tmp.file("s.npy"), s);
  CHECK(read_bytes(tmp.file("s.npy")) ==
        magic + "{'descr': '<f4', 'fortran_order': False, 'shape': (), }" + std::string(62, ' ') +
            "\n" + hex_bytes("0000c03f"));

  Array<float> v = Array<float>::from_shape({3});
  v(0) = 1.0f;
  v(1) = -2.0f;
  v(2) = 0.5f;
  save_npy(tmp.file("v.npy"), v);
  CHECK(read_bytes(tmp.file("v.npy")) ==
        magic + "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" + std::string(60, ' ') +
            "\n" + hex_bytes("0000803f000000c00000003f"));
}

TEST_CASE("npy: load_npy reads version 2.0 and 3.0 headers with keys in any order") {
  TempDir tmp;
  const std::string data = floats_le({1, 2, 3, 4, 5, 6});
  const std::string unpadded = "{'descr':'<f4','fortran_order':False,'shape':(2, 3)}";
  const std::vector<std::string> files = {
      npy_header(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") + data,
      npy_header(3, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}") + data,
      npy_header(1, "{\"fortran_order\":False,\"shape\":(2,3,),\"descr\":\"<f4\",}") + data,
      // No padding at all: numpy reads it, so do we.
      std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(unpadded.size()) + '\0' + unpadded +
          data};
  for (std::size_t k = 0; k < files.size(); ++k) {
    INFO("file " << k);
    write_bytes(tmp.file("a.npy"), files[k]);
    const Array<float> a = load_npy(tmp.file("a.npy"));
    REQUIRE(a.shape() == Array<float>::shape_type{2, 3});
    CHECK(a(1, 2) == 6.0f);
    CHECK(a(0, 1) == 2.0f);
  }
}

TEST_CASE("npy: a damaged or unsupported file is refused with a message naming it") {
  TempDir tmp;
  const std::string path = tmp.file("w.npy");
  const std::string good_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string data = floats_le({1, 2, 3, 4, 5, 6});
  auto error_for = [&](const std::string& bytes) {
    write_bytes(path, bytes);
    const std::string msg = test::error_message<CheckpointError>([&] { load_npy(path); });
    CHECK(contains(msg, path));
    return msg;
  };

  SUBCASE("missing file") {
    CHECK(contains(test::error_message<CheckpointError>([&] { load_npy(tmp.file("none.npy")); }),
                   tmp.file("none.npy")));
  }
  SUBCASE("truncated data") {
    CHECK(contains(error_for(npy_header(1, good_dict) + data.substr(0, 20)), "truncated"));
  }
  SUBCASE("data longer than the shape") {
    CHECK(contains(error_for(npy_header(1, good_dict) + data + "xxxx"), "trailing"));
  }
  SUBCASE("truncated header") { error_for(npy_header(1, good_dict).substr(0, 40)); }
  SUBCASE("empty file") { CHECK(contains(error_for(""), "magic")); }
  SUBCASE("bad magic") { CHECK(contains(error_for("\x93NUMPZ\x01" + data + data), "magic")); }
  SUBCASE("unsupported version") {
    std::string bytes = npy_header(1, good_dict) + data;
    bytes[6] = 4;
    CHECK(contains(error_for(bytes), "version 4.0"));
  }
  SUBCASE("float64") {
    CHECK(contains(
        error_for(npy_header(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }") +
                  data + data),
        "'<f8'"));
  }
  SUBCASE("big-endian float32") {
    CHECK(contains(
        error_for(npy_header(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }") +
                  data),
        "'>f4'"));
  }
  SUBCASE("fortran order") {
    CHECK(contains(
        error_for(npy_header(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }") +
                  data),
        "fortran_order"));
  }
  SUBCASE("garbage header") {
    CHECK(contains(error_for(npy_header(1, "{'descr': '<f4', garbage }") + data), "header"));
  }
  SUBCASE("header not a dict") { error_for(npy_header(1, "[1, 2, 3]") + data); }
  SUBCASE("a key missing") {
    CHECK(contains(error_for(npy_header(1, "{'descr': '<f4', 'shape': (2, 3), }") + data),
                   "fortran_order"));
  }
  SUBCASE("a one-element shape without its comma") {
    error_for(npy_header(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6), }") + data);
  }
  SUBCASE("a negative dimension") {
    error_for(npy_header(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-6,), }") + data);
  }
  SUBCASE("text after the dict") { error_for(npy_header(1, good_dict + " x") + data); }
  SUBCASE("a structured dtype") {
    error_for(npy_header(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }") +
              data);
  }
  SUBCASE("a shape too large for memory") {
    error_for(npy_header(1,
                         "{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(4294967296, 4294967296), }") +
              data);
  }
}

TEST_CASE("npy: a full disk is named as such") {
  // /dev/full fails every write with ENOSPC, as a full disk does
  CHECK_THROWS_WITH_AS(save_npy("/dev/full", xt::ones<float>({1000})),
                       "/dev/full: write failed: No space left on device", CheckpointError);
}

}  // namespace attnlab
