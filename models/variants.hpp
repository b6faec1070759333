// The registry of decoder variants: each models/decoders/NAME.cpp registers
// one class under its name (and other names), with a line of help, whether it
// attends and how its decoder starts by default. Only names and factories:
// the model and its config are declared, not included, so that ModelConfig
// can check a name against the registry.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace attnlab {

struct ModelConfig;
template <class T>
class EncoderDecoder;

template <class T>
using ModelFactory = std::unique_ptr<EncoderDecoder<T>> (*)(const ModelConfig&);

struct DecoderVariant {
  std::string name;          // as --model and config.json's "model" say it
  std::string description;   // one line, for help texts
  bool attends = false;      // reads --score and the attention options
  std::string decoder_init;  // the default start: "zero" or "encoder"
  ModelFactory<float> make_float = nullptr;
  ModelFactory<double> make_double = nullptr;
};

// Registers a variant; `also` are other names for it (config.json keeps `name`).
bool register_decoder(const DecoderVariant& v, const std::vector<std::string>& also = {});
// The variant registered as `name` or as another name for it; an unknown name
// throws std::invalid_argument listing the known ones.
const DecoderVariant& decoder_variant(const std::string& name);
// Every registered name (other names included), sorted.
std::vector<std::string> decoder_names();
// "seq2seq (...), attention (...)": the variants for help texts.
std::string decoder_help();

}  // namespace attnlab

// Registers class template CLASS (an EncoderDecoder constructible from a
// ModelConfig, so models/encoder_decoder.hpp is included where this is used)
// as variant NAME (an identifier), at file scope. ATTENDS: whether it uses a
// score; INIT: its default decoder_init, "zero" or "encoder"; further
// arguments are other names for it, as strings.
#define ATTNLAB_REGISTER_DECODER(NAME, CLASS, ATTENDS, INIT, DESCRIPTION, ...)                 \
  extern "C" void attnlab_decoder_anchor_##NAME() {}                                           \
  static const bool attnlab_decoder_registered_##NAME [[maybe_unused]] =                       \
      ::attnlab::register_decoder({#NAME, DESCRIPTION, ATTENDS, INIT,                          \
                                   [](const ::attnlab::ModelConfig& c)                         \
                                       -> std::unique_ptr<::attnlab::EncoderDecoder<float>> {  \
                                     return std::make_unique<CLASS<float>>(c);                 \
                                   },                                                          \
                                   [](const ::attnlab::ModelConfig& c)                         \
                                       -> std::unique_ptr<::attnlab::EncoderDecoder<double>> { \
                                     return std::make_unique<CLASS<double>>(c);                \
                                   }},                                                         \
                                  {__VA_ARGS__});
