// .npy and CSV readers: formats, quoting, and the errors users see.
#include "support/metric_checks.hpp"

#include "metrics/csv.hpp"
#include "metrics/npy.hpp"
#include "support/test_support.hpp"

#include <cstring>

using namespace autokaggle::metrics;
using metrics_test::require_error;

namespace {

/// A .npy file made by hand (as numpy writes it) with any header.
std::string npy_bytes(const std::string& dict, const std::string& data) {
    std::string header = dict;
    std::size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    return out + header + data;
}

template <class T>
std::string raw(std::initializer_list<T> values) {
    std::string s;
    for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof v);
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(npy)

BOOST_AUTO_TEST_CASE(round_trip_keeps_shape_and_values) {
    autokaggle::test::TempDir dir;
    NpyArray m = NpyArray::matrix({1.5, -2, 3, 4, 5e-300, 6}, 3, 2);
    write_npy(dir / "m.npy", m);
    NpyArray back = read_npy(dir / "m.npy");
    BOOST_TEST(back.rows == 3u);
    BOOST_TEST(back.cols == 2u);
    BOOST_TEST(!back.one_dimensional);
    BOOST_TEST(back.data == m.data);
    write_npy(dir / "v.npy", NpyArray::vector({1, 2, 3}));
    NpyArray v = read_npy(dir / "v.npy");
    BOOST_TEST(v.one_dimensional);
    BOOST_TEST(v.shape_text() == "(3,)");
    // the data starts at a multiple of 64 bytes, as numpy writes it
    std::string bytes = encode_npy(v);
    BOOST_TEST((bytes.size() - 3 * sizeof(double)) % 64 == 0u);
}

BOOST_AUTO_TEST_CASE(reads_each_supported_dtype) {
    auto f4 = parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", raw<float>({0.5f, -1.25f})), "f4");
    BOOST_TEST(f4.data == std::vector<double>({0.5, -1.25}));
    auto i4 = parse_npy(npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", raw<std::int32_t>({-3, 7})), "i4");
    BOOST_TEST(i4.data == std::vector<double>({-3, 7}));
    auto i8 = parse_npy(npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", raw<std::int64_t>({1LL << 40})), "i8");
    BOOST_TEST(i8.data == std::vector<double>({static_cast<double>(1LL << 40)}));
}

BOOST_AUTO_TEST_CASE(fortran_order_is_transposed_to_row_major) {
    // the 2x3 matrix [[1,2,3],[4,5,6]] stored column by column
    auto a = parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", raw<double>({1, 4, 2, 5, 3, 6})), "f");
    BOOST_TEST(a.rows == 2u);
    BOOST_TEST(a.cols == 3u);
    BOOST_TEST(a.data == std::vector<double>({1, 2, 3, 4, 5, 6}));
}

BOOST_AUTO_TEST_CASE(unsupported_files_are_refused_naming_file_and_dtype) {
    require_error([] { parse_npy(npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", raw<double>({1})), "R01_oof.npy"); },
                  {"R01_oof.npy", ">f8", "big-endian"});
    require_error([] { parse_npy(npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }", "x"), "R02_oof.npy"); },
                  {"R02_oof.npy", "|b1", "astype"});
    require_error([] { parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", raw<double>({1})), "cube.npy"); },
                  {"cube.npy", "3 dimensions"});
    require_error([] { parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", raw<double>({1})), "short.npy"); },
                  {"short.npy", "truncated"});
    require_error([] { parse_npy("a,b\n1,2\n", "oops.csv"); }, {"oops.csv", "magic"});
    require_error([] { read_npy("/nonexistent/R09_oof.npy"); }, {"/nonexistent/R09_oof.npy"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(csv)

BOOST_AUTO_TEST_CASE(quoting_newlines_crlf_and_bom) {
    std::string text =
        "\xEF\xBB\xBFid,name,score\r\n"
        "1,\"Smith, John\",0.5\r\n"
        "2,\"say \"\"hi\"\"\",1e-3\r\n"
        "\r\n"
        "3,\"two\nlines\",-2\r\n"
        "4,,7";
    CsvTable t = parse_csv(text, "train.csv");
    BOOST_TEST(t.header() == std::vector<std::string>({"id", "name", "score"}));
    BOOST_TEST(t.rows() == 4u);
    const CsvColumn& name = t.column("name");
    BOOST_TEST(name[0] == "Smith, John");
    BOOST_TEST(name[1] == "say \"hi\"");
    BOOST_TEST(name[2] == "two\nlines");
    BOOST_TEST(name[3] == "");
    BOOST_TEST(t.numbers("score") == std::vector<double>({0.5, 1e-3, -2, 7}));
    BOOST_TEST(t.line_of_row(2) == 5u);  // after a blank line
    BOOST_TEST(t.line_of_row(3) == 7u);  // after a quoted newline
}

BOOST_AUTO_TEST_CASE(only_requested_columns_are_loaded) {
    CsvTable t = parse_csv("a,b,c\n1,2,3\n4,5,6\n", "f.csv", {"c", "a"});
    BOOST_TEST(t.numbers("c") == std::vector<double>({3, 6}));
    BOOST_TEST(t.has_column("b"));
    require_error([&] { t.column("b"); }, {"f.csv", "'b'", "not loaded"});
    require_error([] { parse_csv("a,b\n1,2\n", "f.csv", {"target"}); }, {"f.csv", "no column 'target'", "'a', 'b'"});
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_column) {
    require_error([] { parse_csv("a,b\n1,2\n3\n", "train.csv"); }, {"train.csv line 3", "1 fields", "header has 2"});
    require_error([] { parse_csv("a,b\n1,\"open\n2,3\n", "train.csv"); }, {"train.csv line 2", "never closed"});
    require_error([] { parse_csv("a,b\n1,\"x\"y\n", "train.csv"); }, {"train.csv line 2", "after a closing quote"});
    require_error([] { parse_csv("", "empty.csv"); }, {"empty.csv", "empty"});
    require_error([] { parse_csv("a,a\n1,2\n", "dup.csv"); }, {"dup.csv", "'a' appears twice"});
    CsvTable t = parse_csv("id,target\n1,0.5\n2,\n3,abc\n", "train.csv");
    require_error([&] { t.numbers("target"); }, {"train.csv line 3, column 'target'", "empty value"});
    CsvTable u = parse_csv("id,target\n1,0.5\n3,abc\n", "train.csv");
    require_error([&] { u.numbers("target"); }, {"train.csv line 3, column 'target'", "'abc' is not a number"});
}

BOOST_AUTO_TEST_CASE(reads_a_file_through_the_mapping) {
    autokaggle::test::TempDir dir;
    std::string text = "id,x\n";
    for (int i = 0; i < 5000; ++i) text += std::to_string(i) + "," + std::to_string(i * 0.25) + "\n";
    autokaggle::test::write_text(dir / "big.csv", text);
    CsvTable t = read_csv(dir / "big.csv", {"x"});
    BOOST_TEST(t.rows() == 5000u);
    BOOST_TEST(t.numbers("x")[4999] == 4999 * 0.25);
    BOOST_TEST(read_csv_header(dir / "big.csv") == std::vector<std::string>({"id", "x"}));
}

BOOST_AUTO_TEST_CASE(number_formatting_round_trips) {
    for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456789.125, -0.0}) {
        double back = 0;
        BOOST_TEST(parse_number(format_number(v), back));
        BOOST_TEST(back == v);
    }
    BOOST_TEST(csv_quote("a,b") == "\"a,b\"");
    BOOST_TEST(csv_quote("say \"x\"") == "\"say \"\"x\"\"\"");
    BOOST_TEST(csv_quote("plain") == "plain");
}

BOOST_AUTO_TEST_SUITE_END()
