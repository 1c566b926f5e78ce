// CSV load benchmark: reads every column of a CSV file and converts the numeric ones; prints
// MB/s. Writes the file first when given --make ROWSxCOLS.
//
//   bench-metrics-csv FILE [--make 1000000x50]
#include "metrics/csv.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

using namespace autokaggle::metrics;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench-metrics-csv FILE [--make ROWSxCOLS]\n");
        return 2;
    }
    const std::filesystem::path file = argv[1];
    if (argc >= 4 && std::string(argv[2]) == "--make") {
        std::string shape = argv[3];
        std::size_t rows = std::stoul(shape.substr(0, shape.find('x'))), cols = std::stoul(shape.substr(shape.find('x') + 1));
        std::mt19937_64 rng(1);
        std::normal_distribution<double> g(0.0, 1.0);
        std::ofstream out(file, std::ios::binary);
        std::string line = "id";
        for (std::size_t c = 1; c < cols; ++c) line += ",f" + std::to_string(c);
        out << line << "\n";
        for (std::size_t r = 0; r < rows; ++r) {
            line = std::to_string(r);
            for (std::size_t c = 1; c < cols; ++c) {
                line += ',';
                if (c % 10 == 9) line += (r + c) % 3 ? "\"cat, " + std::to_string((r * c) % 7) + "\"" : "plain";
                else line += format_number(std::round(g(rng) * 1e6) / 1e6);
            }
            out << line << "\n";
        }
    }
    const double mb = static_cast<double>(std::filesystem::file_size(file)) / 1e6;
    auto start = std::chrono::steady_clock::now();
    CsvTable t = read_csv(file);
    double parse = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::size_t numeric = 0;
    double checksum = 0;
    for (const auto& name : t.header()) {
        if (!t.is_numeric(name)) continue;
        ++numeric;
        for (double v : t.numbers(name)) checksum += v;
    }
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("{\"file_mb\": %.1f, \"rows\": %zu, \"cols\": %zu, \"numeric_cols\": %zu, \"parse_seconds\": %.3f, "
                "\"parse_mb_per_s\": %.0f, \"parse_and_convert_seconds\": %.3f, \"parse_and_convert_mb_per_s\": %.0f, \"checksum\": %.6g}\n",
                mb, t.rows(), t.header().size(), numeric, parse, mb / parse, total, mb / total, checksum);
    return 0;
}
