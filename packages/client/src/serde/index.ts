// Serializers and deserializers for record keys and values.
export { bufferSerde, jsonSerde, stringSerde, type Deserializer, type Serde, type Serializer } from './serde.js';
